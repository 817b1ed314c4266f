4096 SHA512:FY9FRnmtm7rT/vIenqEwlYq/XF6WYcf5VPD++HAsJhvFMDV8/GLm2xHpHcsa4+MnXd/bz+OrV1JBRRZgfLZ2Xw id_rsa_4096_enc@keywright.test (RSA)
