4096 MD5:d3:3a:48:61:c7:e6:99:46:3a:e7:8f:62:3f:71:aa:5d id_rsa_4096_enc@keywright.test (RSA)
