384 MD5:d1:da:fb:de:85:e4:6c:ff:a8:61:ed:c9:a3:8d:91:d5 id_ecdsa_384@keywright.test (ECDSA)
