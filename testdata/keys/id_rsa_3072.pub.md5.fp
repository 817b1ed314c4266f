3072 MD5:5f:b8:d8:65:e6:bf:d2:14:da:6b:b6:52:cb:55:96:89 id_rsa_3072@keywright.test (RSA)
