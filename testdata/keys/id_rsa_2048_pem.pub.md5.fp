2048 MD5:4f:eb:c2:e8:23:ca:e9:da:a3:94:5b:45:77:4b:59:cb id_rsa_2048_pem@keywright.test (RSA)
