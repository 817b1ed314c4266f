2048 MD5:c5:88:8e:9b:bd:d6:b2:fa:52:ef:2a:6c:5a:bd:1f:57 id_rsa_2048_pem_enc@keywright.test (RSA)
