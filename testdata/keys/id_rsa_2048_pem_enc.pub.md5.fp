2048 MD5:f9:38:d0:07:56:90:17:7d:82:7e:eb:ba:7b:7d:46:35 id_rsa_2048_pem_enc@keywright.test (RSA)
