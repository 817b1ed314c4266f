3072 MD5:02:1a:43:87:18:2e:e8:01:b2:1a:51:2d:64:1c:1f:35 id_rsa_3072_enc@keywright.test (RSA)
