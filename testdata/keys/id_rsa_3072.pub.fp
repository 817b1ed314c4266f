3072 SHA256:de+1pA81Cbwp/UhPDJ0G3vnZwnY5NtPGB02EMZuzuFA id_rsa_3072@keywright.test (RSA)
