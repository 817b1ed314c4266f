384 MD5:bb:3d:8a:92:e2:b5:6f:b6:5b:87:ef:b0:13:89:13:e1 id_ecdsa_384@keywright.test (ECDSA)
