256 MD5:4f:5d:87:e4:ec:ed:15:6b:1f:53:4f:93:ca:b9:1f:52 id_ecdsa_256@keywright.test (ECDSA)
