384 MD5:b3:eb:f0:4f:98:9f:3e:e1:e9:84:c5:33:d1:9b:c2:d6 id_ecdsa_384_pkcs8@keywright.test (ECDSA)
