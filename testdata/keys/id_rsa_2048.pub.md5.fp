2048 MD5:92:9a:5a:27:7e:1d:7f:20:06:67:10:ad:08:a3:e1:d5 id_rsa_2048@keywright.test (RSA)
