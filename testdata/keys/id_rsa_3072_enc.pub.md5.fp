3072 MD5:6f:fa:b2:9a:10:32:0f:c2:e5:76:03:69:34:0f:51:1a id_rsa_3072_enc@keywright.test (RSA)
