2048 SHA256:uhiV4GXtIVt+4MEEnvZ3taxFsfTQjJ9Sa3aWLxKc/EY id_rsa_2048@keywright.test (RSA)
