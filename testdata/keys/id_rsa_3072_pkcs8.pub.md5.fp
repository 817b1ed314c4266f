3072 MD5:01:79:0b:34:dc:76:12:48:19:53:da:41:be:af:c4:4b id_rsa_3072_pkcs8@keywright.test (RSA)
