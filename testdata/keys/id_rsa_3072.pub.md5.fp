3072 MD5:20:2c:a1:01:6d:f6:2e:1a:b0:7a:d1:d1:17:e1:96:43 id_rsa_3072@keywright.test (RSA)
