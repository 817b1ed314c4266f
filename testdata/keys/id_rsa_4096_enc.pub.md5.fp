4096 MD5:92:89:6a:75:a7:17:35:4c:a3:5b:be:6d:2e:d6:45:ca id_rsa_4096_enc@keywright.test (RSA)
