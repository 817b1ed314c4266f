4096 SHA256:4lEGOdWR6cLhm7GU+l1+v8C2rzR2kd31Rb/ACYdEKQI id_rsa_4096_enc@keywright.test (RSA)
