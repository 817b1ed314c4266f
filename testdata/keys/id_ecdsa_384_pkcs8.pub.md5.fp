384 MD5:f3:0e:fd:34:f8:22:7a:97:28:4f:0c:15:7c:ba:bb:6c id_ecdsa_384_pkcs8@keywright.test (ECDSA)
