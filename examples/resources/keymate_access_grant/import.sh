# Import an existing, unrevoked access grant by its id.
terraform import keymate_access_grant.sre_alerts ag_0123456789abcdef
