2048 SHA256:Htgg7XWFRoDP1fPyB4C6odnqOzlENCMxjQjZ/+eHltI id_rsa_2048_pem@keywright.test (RSA)
