2048 MD5:86:f0:2c:7f:97:e0:35:a3:10:b9:a6:4c:02:9f:a6:9c id_rsa_2048_enc@keywright.test (RSA)
