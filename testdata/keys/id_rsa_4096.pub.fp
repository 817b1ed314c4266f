4096 SHA256:RpwWVd7/bxuqFNfVQCd45+OgH2oRp2WLqbMGhBBXYlE id_rsa_4096@keywright.test (RSA)
