1024 SHA256:Q6Klo2hpvoT1/gmC2oyiwg055snHbt4zIau+ZeVpZ6I id_dsa@keywright.test (DSA)
