2048 MD5:6a:30:15:6b:e6:53:41:71:77:37:af:a5:b3:e1:d3:38 id_rsa_2048@keywright.test (RSA)
