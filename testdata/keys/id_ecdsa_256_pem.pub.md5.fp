256 MD5:42:82:d5:43:50:d2:d0:66:e3:fb:f9:8a:05:a0:c6:44 id_ecdsa_256_pem@keywright.test (ECDSA)
