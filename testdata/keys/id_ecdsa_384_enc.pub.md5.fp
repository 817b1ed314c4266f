384 MD5:0b:00:3a:e5:52:b1:17:85:74:0c:85:8a:ec:31:03:f3 id_ecdsa_384_enc@keywright.test (ECDSA)
