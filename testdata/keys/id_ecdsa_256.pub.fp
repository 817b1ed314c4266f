256 SHA256:mFl53nLTMQhGo13/Y6fxCD3CBRaThyrSD9Sqrz7xgAQ id_ecdsa_256@keywright.test (ECDSA)
