2048 SHA256:M27kzY7pJ33pA+nvNshngPGzJnJoErZUfKtKJhDwFgY id_rsa_2048_enc@keywright.test (RSA)
