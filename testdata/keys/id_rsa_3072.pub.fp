3072 SHA256:6cGD+rk82W1Gbql6HeMq7lwb6OuGh/k66tSddyX5rTQ id_rsa_3072@keywright.test (RSA)
