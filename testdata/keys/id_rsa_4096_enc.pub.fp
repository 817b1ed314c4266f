4096 SHA256:YtdHvj1MxkWxIWZ1Gktoe5Qyqhr113/dbB/jjmyLsFs id_rsa_4096_enc@keywright.test (RSA)
