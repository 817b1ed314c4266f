521 MD5:dd:a8:2c:5b:d4:2a:8c:7e:ee:3a:2e:eb:33:de:4c:58 id_ecdsa_521_enc@keywright.test (ECDSA)
