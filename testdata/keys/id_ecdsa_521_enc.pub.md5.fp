521 MD5:ad:0e:30:3e:87:83:6c:a8:49:94:22:e4:79:64:a1:b4 id_ecdsa_521_enc@keywright.test (ECDSA)
