3072 MD5:fe:20:be:90:bb:b7:92:a9:8d:68:b8:45:9c:48:fb:0b id_rsa_3072_pkcs8@keywright.test (RSA)
