256 MD5:8e:e8:be:b8:2b:a3:fe:da:0d:6d:78:e4:6a:8a:52:78 id_ecdsa_256_pem@keywright.test (ECDSA)
