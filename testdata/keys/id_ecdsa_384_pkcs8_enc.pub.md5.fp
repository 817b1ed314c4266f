384 MD5:14:ac:c0:9a:e4:18:ad:98:e5:6f:d5:d9:e4:a5:39:89 id_ecdsa_384_pkcs8_enc@keywright.test (ECDSA)
