256 MD5:80:7a:5d:02:89:a0:e1:44:0b:17:23:6b:c5:46:a1:54 id_ecdsa_256@keywright.test (ECDSA)
