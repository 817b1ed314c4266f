256 MD5:de:a3:10:bf:9d:f9:4c:ed:ef:5c:a2:d2:dd:3d:09:68 id_ecdsa_256_enc@keywright.test (ECDSA)
