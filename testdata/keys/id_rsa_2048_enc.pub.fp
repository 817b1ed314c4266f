2048 SHA256:B90RM18ZQgvSfuG7JppEp+qlLOPriQEr1Kliwt3lhT8 id_rsa_2048_enc@keywright.test (RSA)
