256 MD5:de:1e:10:af:90:78:86:cf:d2:15:e2:b3:94:9c:4b:4f id_ecdsa_256_enc@keywright.test (ECDSA)
