4096 MD5:65:c8:be:9f:bd:2d:d8:7d:99:6f:97:aa:45:04:ef:48 id_rsa_4096@keywright.test (RSA)
