384 MD5:88:10:d0:3e:b1:97:b3:4d:43:f1:1c:27:e7:a8:7f:e7 id_ecdsa_384_enc@keywright.test (ECDSA)
