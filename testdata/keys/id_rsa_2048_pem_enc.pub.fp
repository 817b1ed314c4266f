2048 SHA256:nTlZfCSUwBuJkzGJ1KmI8nZquFL0B2G+uRNOB5eHbVQ id_rsa_2048_pem_enc@keywright.test (RSA)
