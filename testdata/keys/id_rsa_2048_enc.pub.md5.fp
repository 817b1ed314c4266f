2048 MD5:06:89:34:48:8b:99:c7:ab:c0:f3:4a:7e:a8:bf:aa:e2 id_rsa_2048_enc@keywright.test (RSA)
