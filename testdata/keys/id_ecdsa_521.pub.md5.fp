521 MD5:7c:7b:8a:a3:7d:88:d9:c4:36:e1:ae:b2:78:f4:13:27 id_ecdsa_521@keywright.test (ECDSA)
