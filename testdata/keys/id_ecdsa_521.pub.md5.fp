521 MD5:24:c6:2b:d1:fa:8f:36:cc:aa:22:c9:d0:94:af:73:c1 id_ecdsa_521@keywright.test (ECDSA)
