2048 MD5:25:4e:a9:3c:b6:13:3d:dd:7c:2c:67:f9:1a:90:5e:15 id_rsa_2048_pem@keywright.test (RSA)
