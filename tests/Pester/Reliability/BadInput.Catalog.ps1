# The catalog of bad inputs of the bad-input test (BadInput.Tests.ps1): what each cmdlet must answer to each.
# Dot-sourced in BeforeDiscovery; defines $BadInputCatalog, an array of hashtables:
#   Cmdlet, Case    what is run, for the test names
#   Store           the store the command gets as $s (see BadInput.Tests.ps1): Seeded (default; a copy of a store with
#                   the keys seed-one, seed-two (with an expiry) and seed-three (revoked)), Folder, UnderFile,
#                   NotSqlite, Truncated, NewerSchema, ReadOnlyFile, ReadOnlyFolder, NewInReadOnlyFolder, Busy
#   Run             { param($s, $seed) ... } the command ($seed.One, .Two, .Three: the seed keys, with .Id and .Key)
#   ErrorId, Category, Terminating
#                   the one error it must give: its ErrorId (FullyQualifiedErrorId starts with "ErrorId,"), its
#                   ErrorCategory, and whether it stops the command (a terminating error) or is a per-item error.
#                   Parameter-binding errors are PowerShell's own ErrorIds (ParameterArgumentValidationError,
#                   CannotConvertArgumentNoMessage, ...): stable, and they name the parameter.
#   Key, Outcome    instead of Run/ErrorId: a presented key that Test-ApiKey must answer with $false and this Code,
#                   without an error (a failed verification is audited: exactly one VerificationFailed row is added).
# Every entry must also leave the store unchanged (every row of every table, or the file's bytes when it is not a
# usable store). The ErrorIds and categories are those of the README's Errors table; where the module's answer was
# judged, a Note says why.

$secret64 = 'a' * 64
$BadInputCatalog = @(
    # --- Names ---------------------------------------------------------------------------------------------------
    @{ Cmdlet = 'New-ApiKey'; Case = 'name empty'; Run = { param($s) New-ApiKey -StorePath $s -Name '' -Allowlist @{ method = 'GET'; resource = '/x' } }; ErrorId = 'InvalidName'; Category = 'InvalidArgument'; Terminating = $false }
    @{ Cmdlet = 'New-ApiKey'; Case = 'name of white space only'; Run = { param($s) New-ApiKey -StorePath $s -Name '   ' -Allowlist @{ method = 'GET'; resource = '/x' } }; ErrorId = 'InvalidName'; Category = 'InvalidArgument'; Terminating = $false }
    @{ Cmdlet = 'New-ApiKey'; Case = 'name padded with spaces'; Run = { param($s) New-ApiKey -StorePath $s -Name ' padded ' -Allowlist @{ method = 'GET'; resource = '/x' } }; ErrorId = 'InvalidName'; Category = 'InvalidArgument'; Terminating = $false }
    @{ Cmdlet = 'New-ApiKey'; Case = 'name of 201 characters'; Run = { param($s) New-ApiKey -StorePath $s -Name ('n' * 201) -Allowlist @{ method = 'GET'; resource = '/x' } }; ErrorId = 'InvalidName'; Category = 'InvalidArgument'; Terminating = $false }
    @{ Cmdlet = 'New-ApiKey'; Case = 'name of 201 characters outside the BMP (402 UTF-16 units)'; Run = { param($s) New-ApiKey -StorePath $s -Name ([char]::ConvertFromUtf32(0x1F511) * 201) -Allowlist @{ method = 'GET'; resource = '/x' } }; ErrorId = 'InvalidName'; Category = 'InvalidArgument'; Terminating = $false }
    @{ Cmdlet = 'New-ApiKey'; Case = 'name with a tab'; Run = { param($s) New-ApiKey -StorePath $s -Name "a`tb" -Allowlist @{ method = 'GET'; resource = '/x' } }; ErrorId = 'InvalidName'; Category = 'InvalidArgument'; Terminating = $false }
    @{ Cmdlet = 'New-ApiKey'; Case = 'name with a line break'; Run = { param($s) New-ApiKey -StorePath $s -Name "a`nb" -Allowlist @{ method = 'GET'; resource = '/x' } }; ErrorId = 'InvalidName'; Category = 'InvalidArgument'; Terminating = $false }
    @{ Cmdlet = 'New-ApiKey'; Case = 'name with NUL'; Run = { param($s) New-ApiKey -StorePath $s -Name "a`0b" -Allowlist @{ method = 'GET'; resource = '/x' } }; ErrorId = 'InvalidName'; Category = 'InvalidArgument'; Terminating = $false }
    @{ Cmdlet = 'New-ApiKey'; Case = 'name with DEL (U+007F)'; Run = { param($s) New-ApiKey -StorePath $s -Name "a$([char]0x7F)b" -Allowlist @{ method = 'GET'; resource = '/x' } }; ErrorId = 'InvalidName'; Category = 'InvalidArgument'; Terminating = $false }
    @{ Cmdlet = 'New-ApiKey'; Case = 'name with LINE SEPARATOR (U+2028)'; Run = { param($s) New-ApiKey -StorePath $s -Name "a$([char]0x2028)b" -Allowlist @{ method = 'GET'; resource = '/x' } }; ErrorId = 'InvalidName'; Category = 'InvalidArgument'; Terminating = $false }
    @{ Cmdlet = 'New-ApiKey'; Case = 'name with RIGHT-TO-LEFT OVERRIDE (U+202E)'; Run = { param($s) New-ApiKey -StorePath $s -Name "invoice$([char]0x202E)fdp.exe" -Allowlist @{ method = 'GET'; resource = '/x' } }; ErrorId = 'InvalidName'; Category = 'InvalidArgument'; Terminating = $false }
    @{ Cmdlet = 'Set-ApiKey'; Case = 'rename to a name with ZERO WIDTH SPACE (U+200B)'; Run = { param($s, $seed) Set-ApiKey -StorePath $s -Id $seed.One.Id -Name "seed$([char]0x200B)-one" }; ErrorId = 'InvalidName'; Category = 'InvalidArgument'; Terminating = $true }
    @{ Cmdlet = 'New-ApiKey'; Case = 'name of an existing key in another case'; Run = { param($s) New-ApiKey -StorePath $s -Name 'SEED-ONE' -Allowlist @{ method = 'GET'; resource = '/x' } }; ErrorId = 'DuplicateName'; Category = 'ResourceExists'; Terminating = $false }
    @{ Cmdlet = 'New-ApiKey'; Case = 'name $null'; Run = { param($s) New-ApiKey -StorePath $s -Name $null }; ErrorId = 'ParameterArgumentValidationErrorNullNotAllowed'; Category = 'InvalidData'; Terminating = $true }
    @{ Cmdlet = 'New-ApiKey'; Case = 'padded name from the pipeline (a CSV row)'; Run = { param($s) [pscustomobject]@{ Name = 'csv-row '; Allowlist = '' } | New-ApiKey -StorePath $s -WarningAction SilentlyContinue }; ErrorId = 'InvalidName'; Category = 'InvalidArgument'; Terminating = $false }
    @{ Cmdlet = 'Set-ApiKey'; Case = 'rename to an empty name'; Run = { param($s, $seed) Set-ApiKey -StorePath $s -Id $seed.One.Id -Name '' }; ErrorId = 'InvalidName'; Category = 'InvalidArgument'; Terminating = $true }
    @{ Cmdlet = 'Set-ApiKey'; Case = 'rename to 201 characters'; Run = { param($s, $seed) Set-ApiKey -StorePath $s -Id $seed.One.Id -Name ('n' * 201) }; ErrorId = 'InvalidName'; Category = 'InvalidArgument'; Terminating = $true }
    @{ Cmdlet = 'Set-ApiKey'; Case = 'rename to another key''s name in another case'; Run = { param($s, $seed) Set-ApiKey -StorePath $s -Id $seed.One.Id -Name 'Seed-Two' }; ErrorId = 'DuplicateName'; Category = 'ResourceExists'; Terminating = $false }

    # --- Methods -------------------------------------------------------------------------------------------------
    @{ Cmdlet = 'New-ApiKey'; Case = 'unknown method'; Run = { param($s) New-ApiKey -StorePath $s -Name 'm' -Allowlist @{ method = 'FETCH'; resource = '/x' } }; ErrorId = 'InvalidAllowlistEntry'; Category = 'InvalidArgument'; Terminating = $false }
    @{ Cmdlet = 'New-ApiKey'; Case = 'empty method'; Run = { param($s) New-ApiKey -StorePath $s -Name 'm' -Allowlist @{ method = ''; resource = '/x' } }; ErrorId = 'InvalidAllowlistEntry'; Category = 'InvalidArgument'; Terminating = $false }
    @{ Cmdlet = 'New-ApiKey'; Case = 'method as a number'; Run = { param($s) New-ApiKey -StorePath $s -Name 'm' -Allowlist @{ method = 5; resource = '/x' } }; ErrorId = 'InvalidAllowlistEntry'; Category = 'InvalidArgument'; Terminating = $false }
    @{ Cmdlet = 'New-ApiKey'; Case = 'method as a JSON number'; Run = { param($s) New-ApiKey -StorePath $s -Name 'm' -Allowlist '[{"method":1,"resource":"/x"}]' }; ErrorId = 'InvalidAllowlistEntry'; Category = 'InvalidArgument'; Terminating = $false }
    @{ Cmdlet = 'New-ApiKey'; Case = 'method with a non-ASCII look-alike (long s in POST)'; Run = { param($s) New-ApiKey -StorePath $s -Name 'm' -Allowlist @{ method = "PO$([char]0x17F)T"; resource = '/x' } }; ErrorId = 'InvalidAllowlistEntry'; Category = 'InvalidArgument'; Terminating = $false }
    @{ Cmdlet = 'Set-ApiKey'; Case = 'allowlist with an empty method'; Run = { param($s, $seed) Set-ApiKey -StorePath $s -Id $seed.One.Id -Allowlist @{ method = ''; resource = '/x' } }; ErrorId = 'InvalidAllowlistEntry'; Category = 'InvalidArgument'; Terminating = $true }
    @{ Cmdlet = 'Test-ApiKey'; Case = 'unknown -Method'; Run = { param($s, $seed) Test-ApiKey -StorePath $s -Key $seed.One.Key -Method FETCH -Resource 'system.info' }; ErrorId = 'ParameterArgumentValidationError'; Category = 'InvalidData'; Terminating = $true }

    # --- Resources -----------------------------------------------------------------------------------------------
    @{ Cmdlet = 'New-ApiKey'; Case = 'empty resource'; Run = { param($s) New-ApiKey -StorePath $s -Name 'r' -Allowlist @{ method = 'GET'; resource = '' } }; ErrorId = 'InvalidAllowlistEntry'; Category = 'InvalidArgument'; Terminating = $false }
    @{ Cmdlet = 'New-ApiKey'; Case = 'resource $null'; Run = { param($s) New-ApiKey -StorePath $s -Name 'r' -Allowlist @{ method = 'GET'; resource = $null } }; ErrorId = 'InvalidAllowlistEntry'; Category = 'InvalidArgument'; Terminating = $false }
    @{ Cmdlet = 'New-ApiKey'; Case = 'resource JSON null'; Run = { param($s) New-ApiKey -StorePath $s -Name 'r' -Allowlist '[{"method":"GET","resource":null}]' }; ErrorId = 'InvalidAllowlistEntry'; Category = 'InvalidArgument'; Terminating = $false }
    @{ Cmdlet = 'New-ApiKey'; Case = 'resource missing'; Run = { param($s) New-ApiKey -StorePath $s -Name 'r' -Allowlist @{ method = 'GET' } }; ErrorId = 'InvalidAllowlistEntry'; Category = 'InvalidArgument'; Terminating = $false }
    @{ Cmdlet = 'New-ApiKey'; Case = 'resource with a line break'; Run = { param($s) New-ApiKey -StorePath $s -Name 'r' -Allowlist @{ method = 'GET'; resource = "/a`nGET /b" } }; ErrorId = 'InvalidAllowlistEntry'; Category = 'InvalidArgument'; Terminating = $false }
    @{ Cmdlet = 'New-ApiKey'; Case = 'resource of 1025 characters'; Run = { param($s) New-ApiKey -StorePath $s -Name 'r' -Allowlist @{ method = 'GET'; resource = '/' * 1025 } }; ErrorId = 'InvalidAllowlistEntry'; Category = 'InvalidArgument'; Terminating = $false }
    @{ Cmdlet = 'Test-ApiKey'; Case = 'empty -Resource'; Run = { param($s, $seed) Test-ApiKey -StorePath $s -Key $seed.One.Key -Method CALL -Resource '' }; ErrorId = 'ParameterArgumentValidationError'; Category = 'InvalidData'; Terminating = $true }

    # --- Allowlist documents -------------------------------------------------------------------------------------
    @{ Cmdlet = 'New-ApiKey'; Case = 'malformed YAML'; Run = { param($s) New-ApiKey -StorePath $s -Name 'd' -Allowlist "- method: CALL`n  resource: [system.info" }; ErrorId = 'InvalidAllowlistDocument'; Category = 'InvalidArgument'; Terminating = $false }
    @{ Cmdlet = 'New-ApiKey'; Case = 'malformed JSON'; Run = { param($s) New-ApiKey -StorePath $s -Name 'd' -Allowlist '[{"method":"CALL","resource":' }; ErrorId = 'InvalidAllowlistDocument'; Category = 'InvalidArgument'; Terminating = $false }
    @{ Cmdlet = 'New-ApiKey'; Case = 'a scalar document'; Run = { param($s) New-ApiKey -StorePath $s -Name 'd' -Allowlist 'system.info' }; ErrorId = 'InvalidAllowlistDocument'; Category = 'InvalidArgument'; Terminating = $false }
    @{ Cmdlet = 'New-ApiKey'; Case = 'a YAML mapping where the list belongs'; Run = { param($s) New-ApiKey -StorePath $s -Name 'd' -Allowlist "method: CALL`nresource: system.info" }; ErrorId = 'InvalidAllowlistDocument'; Category = 'InvalidArgument'; Terminating = $false }
    @{ Cmdlet = 'New-ApiKey'; Case = 'a JSON object where the list belongs'; Run = { param($s) New-ApiKey -StorePath $s -Name 'd' -Allowlist '{"method":"CALL","resource":"system.info"}' }; ErrorId = 'InvalidAllowlistDocument'; Category = 'InvalidArgument'; Terminating = $false }
    @{ Cmdlet = 'New-ApiKey'; Case = 'a list of text where entries belong'; Run = { param($s) New-ApiKey -StorePath $s -Name 'd' -Allowlist '["CALL system.info"]' }; ErrorId = 'InvalidAllowlistEntry'; Category = 'InvalidArgument'; Terminating = $false }
    @{ Cmdlet = 'New-ApiKey'; Case = 'an entry with an unknown field'; Run = { param($s) New-ApiKey -StorePath $s -Name 'd' -Allowlist '[{"method":"CALL","resource":"system.info","admin":true}]' }; ErrorId = 'InvalidAllowlistEntry'; Category = 'InvalidArgument'; Terminating = $false }
    @{ Cmdlet = 'New-ApiKey'; Case = 'a 10 MB document'; Run = { param($s) New-ApiKey -StorePath $s -Name 'd' -Allowlist ("- {method: GET, resource: /a}`n" * 350000) }; ErrorId = 'AllowlistDocumentTooLarge'; Category = 'InvalidArgument'; Terminating = $false }
    @{ Cmdlet = 'New-ApiKey'; Case = 'an alias expansion bomb (list of entries)'; Run = { param($s) New-ApiKey -StorePath $s -Name 'd' -Allowlist "- &a {method: GET, resource: /x}`n- &b [*a,*a,*a,*a,*a,*a,*a,*a,*a,*a]`n- &c [*b,*b,*b,*b,*b,*b,*b,*b,*b,*b]`n- &d [*c,*c,*c,*c,*c,*c,*c,*c,*c,*c]`n- &e [*d,*d,*d,*d,*d,*d,*d,*d,*d,*d]`n- &f [*e,*e,*e,*e,*e,*e,*e,*e,*e,*e]`n- [*f,*f,*f,*f,*f,*f,*f,*f,*f,*f]" }; ErrorId = 'AllowlistDocumentTooComplex'; Category = 'InvalidData'; Terminating = $false }
    @{ Cmdlet = 'New-ApiKey'; Case = 'an alias expansion bomb (billion laughs)'; Run = { param($s) New-ApiKey -StorePath $s -Name 'd' -Allowlist "a: &a [lol,lol,lol,lol,lol,lol,lol,lol,lol]`nb: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]`nc: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]`nd: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]`ne: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]`nf: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]`ng: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f]`nh: &h [*g,*g,*g,*g,*g,*g,*g,*g,*g]`ni: &i [*h,*h,*h,*h,*h,*h,*h,*h,*h]" }; ErrorId = 'AllowlistDocumentTooComplex'; Category = 'InvalidData'; Terminating = $false }
    @{ Cmdlet = 'New-ApiKey'; Case = 'an object-building tag (!!python/object/apply)'; Run = { param($s) New-ApiKey -StorePath $s -Name 'd' -Allowlist "- !!python/object/apply:os.system ['id']" }; ErrorId = 'UnsafeAllowlistDocument'; Category = 'SecurityError'; Terminating = $false }
    @{ Cmdlet = 'New-ApiKey'; Case = 'an object-building tag (.NET type)'; Run = { param($s) New-ApiKey -StorePath $s -Name 'd' -Allowlist "- !System.IO.FileInfo {fileName: /etc/passwd}" }; ErrorId = 'UnsafeAllowlistDocument'; Category = 'SecurityError'; Terminating = $false }
    @{ Cmdlet = 'New-ApiKey'; Case = 'an object-building tag on a field value'; Run = { param($s) New-ApiKey -StorePath $s -Name 'd' -Allowlist "- method: !!python/name:os.system CALL`n  resource: system.info" }; ErrorId = 'UnsafeAllowlistDocument'; Category = 'SecurityError'; Terminating = $false }
    @{ Cmdlet = 'New-ApiKey'; Case = 'a !!binary tag'; Run = { param($s) New-ApiKey -StorePath $s -Name 'd' -Allowlist "- method: !!binary R0VU`n  resource: system.info" }; ErrorId = 'UnsafeAllowlistDocument'; Category = 'SecurityError'; Terminating = $false }
    @{ Cmdlet = 'New-ApiKey'; Case = 'two YAML documents'; Run = { param($s) New-ApiKey -StorePath $s -Name 'd' -Allowlist "- {method: GET, resource: /a}`n---`n- {method: GET, resource: /b}" }; ErrorId = 'InvalidAllowlistDocument'; Category = 'InvalidArgument'; Terminating = $false }
    @{ Cmdlet = 'New-ApiKey'; Case = 'an alias to no anchor'; Run = { param($s) New-ApiKey -StorePath $s -Name 'd' -Allowlist '- *nothing' }; ErrorId = 'InvalidAllowlistDocument'; Category = 'InvalidArgument'; Terminating = $false }
    @{ Cmdlet = 'New-ApiKey'; Case = 'nesting 40 levels deep'; Run = { param($s) New-ApiKey -StorePath $s -Name 'd' -Allowlist (('[' * 40) + (']' * 40)) }; ErrorId = 'AllowlistDocumentTooComplex'; Category = 'InvalidData'; Terminating = $false }
    @{ Cmdlet = 'New-ApiKey'; Case = '10,001 entries'; Run = { param($s) New-ApiKey -StorePath $s -Name 'd' -Allowlist ((1..10001 | ForEach-Object { "- {method: GET, resource: /r$_}" }) -join "`n") }; ErrorId = 'AllowlistDocumentTooComplex'; Category = 'InvalidData'; Terminating = $false }
    @{ Cmdlet = 'New-ApiKey'; Case = 'an entry that is a number'; Run = { param($s) New-ApiKey -StorePath $s -Name 'd' -Allowlist 42 }; ErrorId = 'InvalidAllowlistEntry'; Category = 'InvalidArgument'; Terminating = $false }
    @{ Cmdlet = 'New-ApiKey'; Case = 'an entry that is $null'; Run = { param($s) New-ApiKey -StorePath $s -Name 'd' -Allowlist @($null) }; ErrorId = 'InvalidAllowlistEntry'; Category = 'InvalidArgument'; Terminating = $false }
    @{ Cmdlet = 'New-ApiKey'; Case = 'a field holding a list'; Run = { param($s) New-ApiKey -StorePath $s -Name 'd' -Allowlist @{ method = @('GET', 'PUT'); resource = '/x' } }; ErrorId = 'InvalidAllowlistEntry'; Category = 'InvalidArgument'; Terminating = $false }
    @{ Cmdlet = 'Set-ApiKey'; Case = 'malformed JSON allowlist'; Run = { param($s, $seed) Set-ApiKey -StorePath $s -Id $seed.One.Id -Allowlist '[{' }; ErrorId = 'InvalidAllowlistDocument'; Category = 'InvalidArgument'; Terminating = $true }
    @{ Cmdlet = 'Set-ApiKey'; Case = 'object-building tag in the allowlist'; Run = { param($s, $seed) Set-ApiKey -StorePath $s -Id $seed.One.Id -Allowlist "- !!python/object:os.system {}" }; ErrorId = 'UnsafeAllowlistDocument'; Category = 'SecurityError'; Terminating = $true }

    # --- Ids -----------------------------------------------------------------------------------------------------
    @{ Cmdlet = 'Get-ApiKey'; Case = 'Id 0'; Run = { param($s) Get-ApiKey -StorePath $s -Id 0 }; ErrorId = 'ParameterArgumentValidationError'; Category = 'InvalidData'; Terminating = $true }
    @{ Cmdlet = 'Set-ApiKey'; Case = 'Id -1'; Run = { param($s) Set-ApiKey -StorePath $s -Id -1 -Reset }; ErrorId = 'ParameterArgumentValidationError'; Category = 'InvalidData'; Terminating = $true }
    @{ Cmdlet = 'Remove-ApiKey'; Case = 'Id 0'; Run = { param($s) Remove-ApiKey -StorePath $s -Id 0 }; ErrorId = 'ParameterArgumentValidationError'; Category = 'InvalidData'; Terminating = $true }
    @{ Cmdlet = 'Revoke-ApiKey'; Case = 'Id -1'; Run = { param($s) Revoke-ApiKey -StorePath $s -Id -1 }; ErrorId = 'ParameterArgumentValidationError'; Category = 'InvalidData'; Terminating = $true }
    @{ Cmdlet = 'Get-ApiKeyAuditLog'; Case = 'Id 0'; Run = { param($s) Get-ApiKeyAuditLog -StorePath $s -Id 0 }; ErrorId = 'ParameterArgumentValidationError'; Category = 'InvalidData'; Terminating = $true }
    @{ Cmdlet = 'Get-ApiKey'; Case = 'unknown Id'; Run = { param($s) Get-ApiKey -StorePath $s -Id 999 }; ErrorId = 'ApiKeyNotFound'; Category = 'ObjectNotFound'; Terminating = $false }
    @{ Cmdlet = 'Set-ApiKey'; Case = 'unknown Id'; Run = { param($s) Set-ApiKey -StorePath $s -Id 999 -Reset }; ErrorId = 'ApiKeyNotFound'; Category = 'ObjectNotFound'; Terminating = $false }
    @{ Cmdlet = 'Remove-ApiKey'; Case = 'unknown Id'; Run = { param($s) Remove-ApiKey -StorePath $s -Id 999 }; ErrorId = 'ApiKeyNotFound'; Category = 'ObjectNotFound'; Terminating = $false }
    @{ Cmdlet = 'Revoke-ApiKey'; Case = 'unknown Id'; Run = { param($s) Revoke-ApiKey -StorePath $s -Id 999 -Reason 'r' }; ErrorId = 'ApiKeyNotFound'; Category = 'ObjectNotFound'; Terminating = $false }
    @{ Cmdlet = 'Get-ApiKey'; Case = 'Id larger than int (2147483648)'; Run = { param($s) Get-ApiKey -StorePath $s -Id 2147483648 }; ErrorId = 'CannotConvertArgumentNoMessage'; Category = 'InvalidArgument'; Terminating = $true }
    @{ Cmdlet = 'Set-ApiKey'; Case = 'Id larger than int (2147483648)'; Run = { param($s) Set-ApiKey -StorePath $s -Id 2147483648 -Reset }; ErrorId = 'CannotConvertArgumentNoMessage'; Category = 'InvalidArgument'; Terminating = $true }
    @{ Cmdlet = 'Remove-ApiKey'; Case = 'Id larger than int (9999999999)'; Run = { param($s) Remove-ApiKey -StorePath $s -Id 9999999999 }; ErrorId = 'CannotConvertArgumentNoMessage'; Category = 'InvalidArgument'; Terminating = $true }
    @{ Cmdlet = 'Revoke-ApiKey'; Case = 'Id larger than int (9999999999)'; Run = { param($s) Revoke-ApiKey -StorePath $s -Id 9999999999 }; ErrorId = 'CannotConvertArgumentNoMessage'; Category = 'InvalidArgument'; Terminating = $true }
    @{ Cmdlet = 'Get-ApiKeyAuditLog'; Case = 'Id larger than int (9999999999)'; Run = { param($s) Get-ApiKeyAuditLog -StorePath $s -Id 9999999999 }; ErrorId = 'CannotConvertArgumentNoMessage'; Category = 'InvalidArgument'; Terminating = $true }
    @{ Cmdlet = 'Remove-ApiKey'; Case = 'Id that is not a number'; Run = { param($s) Remove-ApiKey -StorePath $s -Id 'abc' }; ErrorId = 'CannotConvertArgumentNoMessage'; Category = 'InvalidArgument'; Terminating = $true }
    @{ Cmdlet = 'Get-ApiKey'; Case = 'unknown literal name'; Run = { param($s) Get-ApiKey -StorePath $s -Name 'no-such-key' }; ErrorId = 'ApiKeyNotFound'; Category = 'ObjectNotFound'; Terminating = $false }
    @{ Cmdlet = 'Get-ApiKey'; Case = 'a wildcard pattern that does not parse'; Run = { param($s) Get-ApiKey -StorePath $s -Name 'seed[' }; ErrorId = 'InvalidWildcardPattern'; Category = 'InvalidArgument'; Terminating = $false }
    @{ Cmdlet = 'Get-ApiKey'; Case = 'empty name'; Run = { param($s) Get-ApiKey -StorePath $s -Name '' }; ErrorId = 'ParameterArgumentValidationError'; Category = 'InvalidData'; Terminating = $true }

    # --- Changes and expiry --------------------------------------------------------------------------------------
    @{ Cmdlet = 'Set-ApiKey'; Case = 'nothing to change'; Run = { param($s, $seed) Set-ApiKey -StorePath $s -Id $seed.One.Id }; ErrorId = 'NoChangeRequested'; Category = 'InvalidArgument'; Terminating = $true }
    @{ Cmdlet = 'Set-ApiKey'; Case = 'nothing to change, key from the pipeline'; Run = { param($s, $seed) Get-ApiKey -StorePath $s -Id $seed.One.Id | Set-ApiKey -StorePath $s }; ErrorId = 'NoChangeRequested'; Category = 'InvalidArgument'; Terminating = $true }
    @{ Cmdlet = 'Set-ApiKey'; Case = 'expiry in the past'; Run = { param($s, $seed) Set-ApiKey -StorePath $s -Id $seed.One.Id -ExpiresAt (Get-Date).AddDays(-1) }; ErrorId = 'ExpirationInPast'; Category = 'InvalidArgument'; Terminating = $true }
    @{ Cmdlet = 'New-ApiKey'; Case = 'expiry in the past'; Run = { param($s) New-ApiKey -StorePath $s -Name 'e' -Allowlist @{ method = 'GET'; resource = '/x' } -ExpiresAt ([datetime]::UtcNow.AddSeconds(-1)) }; ErrorId = 'ExpirationInPast'; Category = 'InvalidArgument'; Terminating = $false }
    @{ Cmdlet = 'Set-ApiKey'; Case = '-ExpiresAt with -NeverExpires'; Run = { param($s, $seed) Set-ApiKey -StorePath $s -Id $seed.One.Id -ExpiresAt (Get-Date).AddDays(1) -NeverExpires }; ErrorId = 'ConflictingExpiry'; Category = 'InvalidArgument'; Terminating = $true }
    @{ Cmdlet = 'New-ApiKey'; Case = 'expiry that is not a date'; Run = { param($s) New-ApiKey -StorePath $s -Name 'e' -ExpiresAt 'next tuesday' }; ErrorId = 'CannotConvertArgumentNoMessage'; Category = 'InvalidArgument'; Terminating = $true }
    @{ Cmdlet = 'Get-ApiKeyAuditLog'; Case = '-After that is not a date'; Run = { param($s) Get-ApiKeyAuditLog -StorePath $s -After 'yesterday-ish' }; ErrorId = 'CannotConvertArgumentNoMessage'; Category = 'InvalidArgument'; Terminating = $true }
    @{ Cmdlet = 'Clear-ApiKeyAuditLog'; Case = '-Before in the future'; Run = { param($s) Clear-ApiKeyAuditLog -StorePath $s -Before (Get-Date).AddDays(1) -Confirm:$false }; ErrorId = 'AuditBoundInFuture'; Category = 'InvalidArgument'; Terminating = $true }
    @{ Cmdlet = 'Clear-ApiKeyAuditLog'; Case = '-Before that is not a date'; Run = { param($s) Clear-ApiKeyAuditLog -StorePath $s -Before 'last-month' -Confirm:$false }; ErrorId = 'CannotConvertArgumentNoMessage'; Category = 'InvalidArgument'; Terminating = $true }
    @{ Cmdlet = 'Clear-ApiKeyAuditLog'; Case = 'a read-only store file'; Store = 'ReadOnlyFile'; Run = { param($s) Clear-ApiKeyAuditLog -StorePath $s -Before (Get-Date) -Confirm:$false }; ErrorId = 'StoreReadOnly'; Category = 'PermissionDenied'; Terminating = $true }

    # --- Grace periods of resets -----------------------------------------------------------------------------------
    @{ Cmdlet = 'Set-ApiKey'; Case = 'negative grace period'; Run = { param($s, $seed) Set-ApiKey -StorePath $s -Id $seed.One.Id -Reset -GracePeriod '-01:00:00' }; ErrorId = 'InvalidGracePeriod'; Category = 'InvalidArgument'; Terminating = $true }
    @{ Cmdlet = 'Set-ApiKey'; Case = 'zero grace period'; Run = { param($s, $seed) Set-ApiKey -StorePath $s -Id $seed.One.Id -Reset -GracePeriod 0 }; ErrorId = 'InvalidGracePeriod'; Category = 'InvalidArgument'; Terminating = $true }
    @{ Cmdlet = 'Set-ApiKey'; Case = 'grace period as a bare number (30 ticks)'; Run = { param($s, $seed) Set-ApiKey -StorePath $s -Id $seed.One.Id -Reset -GracePeriod 30 }; ErrorId = 'InvalidGracePeriod'; Category = 'InvalidArgument'; Terminating = $true }
    @{ Cmdlet = 'Set-ApiKey'; Case = 'grace period over 30 days'; Run = { param($s, $seed) Set-ApiKey -StorePath $s -Id $seed.One.Id -Reset -GracePeriod 'P30DT1S' }; ErrorId = 'InvalidGracePeriod'; Category = 'InvalidArgument'; Terminating = $true }
    @{ Cmdlet = 'Set-ApiKey'; Case = 'grace period that is not a duration'; Run = { param($s, $seed) Set-ApiKey -StorePath $s -Id $seed.One.Id -Reset -GracePeriod 'a while' }; ErrorId = 'CannotConvertArgumentNoMessage'; Category = 'InvalidArgument'; Terminating = $true }
    @{ Cmdlet = 'Set-ApiKey'; Case = 'grace period without -Reset'; Run = { param($s, $seed) Set-ApiKey -StorePath $s -Id $seed.One.Id -GracePeriod '01:00:00' }; ErrorId = 'GracePeriodWithoutReset'; Category = 'InvalidArgument'; Terminating = $true }
    @{ Cmdlet = 'Set-ApiKey'; Case = 'grace period past the key''s expiry'; Run = { param($s, $seed) Set-ApiKey -StorePath $s -Id $seed.Two.Id -Reset -GracePeriod '30.00:00:00' }; ErrorId = 'GracePeriodBeyondExpiry'; Category = 'InvalidArgument'; Terminating = $false }
    @{ Cmdlet = 'Set-ApiKey'; Case = 'grace period for a revoked key'; Run = { param($s, $seed) Set-ApiKey -StorePath $s -Id $seed.Three.Id -Reset -GracePeriod '01:00:00' }; ErrorId = 'GracePeriodForInactiveKey'; Category = 'InvalidArgument'; Terminating = $false }
    @{ Cmdlet = 'Edit-ApiKey'; Case = 'grace_period without reset: true'; Run = { param($s, $seed) Edit-ApiKey -StorePath $s -Id $seed.One.Id -Yaml "grace_period: P1D" }; ErrorId = 'GracePeriodWithoutReset'; Category = 'InvalidArgument'; Terminating = $false }
    @{ Cmdlet = 'Edit-ApiKey'; Case = 'grace_period that is not a duration'; Run = { param($s, $seed) Edit-ApiKey -StorePath $s -Id $seed.One.Id -Yaml "reset: true`ngrace_period: later" }; ErrorId = 'InvalidGracePeriod'; Category = 'InvalidArgument'; Terminating = $false }

    # --- Revocation reasons ---------------------------------------------------------------------------------------
    @{ Cmdlet = 'Revoke-ApiKey'; Case = 'reason of 501 characters'; Run = { param($s, $seed) Revoke-ApiKey -StorePath $s -Id $seed.One.Id -Reason ('r' * 501) }; ErrorId = 'InvalidReason'; Category = 'InvalidArgument'; Terminating = $true }
    @{ Cmdlet = 'Revoke-ApiKey'; Case = 'reason with RIGHT-TO-LEFT OVERRIDE (U+202E), keys from the pipeline'; Run = { param($s) Get-ApiKey -StorePath $s | Revoke-ApiKey -Reason "see$([char]0x202E)txt.exe" }; ErrorId = 'InvalidReason'; Category = 'InvalidArgument'; Terminating = $true }

    # --- Test-ApiKey: requests, and presented keys (not errors: $false with Code Malformed) ------------------------
    @{ Cmdlet = 'Test-ApiKey'; Case = '-Method without -Resource'; Run = { param($s, $seed) Test-ApiKey -StorePath $s -Key $seed.One.Key -Method CALL }; ErrorId = 'IncompleteRequest'; Category = 'InvalidArgument'; Terminating = $true }
    @{ Cmdlet = 'Test-ApiKey'; Case = '-Key $null'; Run = { param($s) Test-ApiKey -StorePath $s -Key $null }; ErrorId = 'ParameterArgumentValidationErrorNullNotAllowed'; Category = 'InvalidData'; Terminating = $true }
    @{ Cmdlet = 'Test-ApiKey'; Case = 'presented key empty'; Key = ''; Outcome = 'Malformed' }
    @{ Cmdlet = 'Test-ApiKey'; Case = 'presented key of white space'; Key = "  `t "; Outcome = 'Malformed' }
    @{ Cmdlet = 'Test-ApiKey'; Case = 'presented key without a dash'; Key = "1$secret64"; Outcome = 'Malformed' }
    @{ Cmdlet = 'Test-ApiKey'; Case = 'presented key with a leading dash'; Key = "-$secret64"; Outcome = 'Malformed' }
    @{ Cmdlet = 'Test-ApiKey'; Case = 'presented key with a negative id'; Key = "-1-$secret64"; Outcome = 'Malformed' }
    @{ Cmdlet = 'Test-ApiKey'; Case = 'presented key with a non-numeric id'; Key = "x1-$secret64"; Outcome = 'Malformed' }
    @{ Cmdlet = 'Test-ApiKey'; Case = 'presented key with id 0'; Key = "0-$secret64"; Outcome = 'Malformed' }
    @{ Cmdlet = 'Test-ApiKey'; Case = 'presented key with an id larger than int'; Key = "99999999999-$secret64"; Outcome = 'Malformed' }
    @{ Cmdlet = 'Test-ApiKey'; Case = 'presented key with non-ASCII digits as id'; Key = "$([char]0x0661)-$secret64"; Outcome = 'Malformed' }
    @{ Cmdlet = 'Test-ApiKey'; Case = 'presented key with a secret of 63 characters'; Key = "1-$('a' * 63)"; Outcome = 'Malformed' }
    @{ Cmdlet = 'Test-ApiKey'; Case = 'presented key with a secret of 65 characters'; Key = "1-$('a' * 65)"; Outcome = 'Malformed' }
    @{ Cmdlet = 'Test-ApiKey'; Case = 'presented key with a non-ASCII secret'; Key = "1-$('a' * 63)$([char]0xE9)"; Outcome = 'Malformed' }
    @{ Cmdlet = 'Test-ApiKey'; Case = 'presented key with a space inside the secret'; Key = "1-$('a' * 31) $('a' * 32)"; Outcome = 'Malformed' }
    @{ Cmdlet = 'Test-ApiKey'; Case = 'presented key of 257 characters (zeros before a key of id 1)'; Key = "$('0' * 191)1-$secret64"; Outcome = 'Malformed' }
    @{ Cmdlet = 'Test-ApiKey'; Case = 'presented key of SQL injection text'; Key = "1' OR '1'='1"; Outcome = 'Malformed' }
    @{ Cmdlet = 'Test-ApiKey'; Case = 'presented key with SQL injection in the secret'; Key = "1-$("' OR 1=1; DROP TABLE api_keys;--".PadRight(64, 'x'))"; Outcome = 'Malformed' }

    # --- Store paths ---------------------------------------------------------------------------------------------
    @{ Cmdlet = 'Get-ApiKey'; Case = 'empty -StorePath'; Store = 'None'; Run = { param($s) Get-ApiKey -StorePath '' }; ErrorId = 'ParameterArgumentValidationError'; Category = 'InvalidData'; Terminating = $true }
    @{ Cmdlet = 'New-ApiKey'; Case = 'a -StorePath on a drive that does not exist'; Store = 'None'; Run = { param($s) New-ApiKey -StorePath 'NoSuchDrive:/keys.db' -Name 'x' }; ErrorId = 'StorePathInvalid'; Category = 'InvalidArgument'; Terminating = $true }
    @{ Cmdlet = 'New-ApiKey'; Case = 'a folder as store'; Store = 'Folder'; Run = { param($s) New-ApiKey -StorePath $s -Name 'x' -Allowlist @{ method = 'GET'; resource = '/x' } }; ErrorId = 'StoreUnavailable'; Category = 'OpenError'; Terminating = $true }
    @{ Cmdlet = 'Test-ApiKey'; Case = 'a folder as store'; Store = 'Folder'; Run = { param($s) Test-ApiKey -StorePath $s -Key "1-$('a' * 64)" }; ErrorId = 'StoreUnavailable'; Category = 'OpenError'; Terminating = $true }
    @{ Cmdlet = 'Revoke-ApiKey'; Case = 'a folder as store'; Store = 'Folder'; Run = { param($s) Revoke-ApiKey -StorePath $s -Id 1 }; ErrorId = 'StoreUnavailable'; Category = 'OpenError'; Terminating = $true }
    @{ Cmdlet = 'Get-ApiKeyAuditLog'; Case = 'a folder as store'; Store = 'Folder'; Run = { param($s) Get-ApiKeyAuditLog -StorePath $s }; ErrorId = 'StoreUnavailable'; Category = 'OpenError'; Terminating = $true }
    @{ Cmdlet = 'New-ApiKey'; Case = 'a store path under a file'; Store = 'UnderFile'; Run = { param($s) New-ApiKey -StorePath $s -Name 'x' -Allowlist @{ method = 'GET'; resource = '/x' } }; ErrorId = 'StoreUnavailable'; Category = 'OpenError'; Terminating = $true }
    @{ Cmdlet = 'New-ApiKey'; Case = 'a file that is not SQLite'; Store = 'NotSqlite'; Run = { param($s) New-ApiKey -StorePath $s -Name 'x' -Allowlist @{ method = 'GET'; resource = '/x' } }; ErrorId = 'StoreNotRecognized'; Category = 'InvalidData'; Terminating = $true }
    @{ Cmdlet = 'Test-ApiKey'; Case = 'a file that is not SQLite'; Store = 'NotSqlite'; Run = { param($s) Test-ApiKey -StorePath $s -Key "1-$('a' * 64)" }; ErrorId = 'StoreNotRecognized'; Category = 'InvalidData'; Terminating = $true }
    @{ Cmdlet = 'Get-ApiKeyAuditLog'; Case = 'a file that is not SQLite'; Store = 'NotSqlite'; Run = { param($s) Get-ApiKeyAuditLog -StorePath $s }; ErrorId = 'StoreNotRecognized'; Category = 'InvalidData'; Terminating = $true }
    @{ Cmdlet = 'New-ApiKey'; Case = 'a truncated store (half its size)'; Store = 'Truncated'; Run = { param($s) New-ApiKey -StorePath $s -Name 'x' -Allowlist @{ method = 'GET'; resource = '/x' } }; ErrorId = 'StoreNotRecognized'; Category = 'InvalidData'; Terminating = $true }
    @{ Cmdlet = 'Get-ApiKey'; Case = 'a truncated store (half its size)'; Store = 'Truncated'; Run = { param($s) Get-ApiKey -StorePath $s }; ErrorId = 'StoreNotRecognized'; Category = 'InvalidData'; Terminating = $true }
    @{ Cmdlet = 'Set-ApiKey'; Case = 'a truncated store (half its size)'; Store = 'Truncated'; Run = { param($s, $seed) Set-ApiKey -StorePath $s -Id $seed.One.Id -Reset }; ErrorId = 'StoreNotRecognized'; Category = 'InvalidData'; Terminating = $true }
    @{ Cmdlet = 'Remove-ApiKey'; Case = 'a truncated store (half its size)'; Store = 'Truncated'; Run = { param($s, $seed) Remove-ApiKey -StorePath $s -Id $seed.One.Id }; ErrorId = 'StoreNotRecognized'; Category = 'InvalidData'; Terminating = $true }
    @{ Cmdlet = 'Test-ApiKey'; Case = 'a truncated store (half its size)'; Store = 'Truncated'; Run = { param($s, $seed) Test-ApiKey -StorePath $s -Key $seed.One.Key }; ErrorId = 'StoreNotRecognized'; Category = 'InvalidData'; Terminating = $true }
    @{ Cmdlet = 'Revoke-ApiKey'; Case = 'a truncated store (half its size)'; Store = 'Truncated'; Run = { param($s, $seed) Revoke-ApiKey -StorePath $s -Id $seed.One.Id }; ErrorId = 'StoreNotRecognized'; Category = 'InvalidData'; Terminating = $true }
    @{ Cmdlet = 'Get-ApiKeyAuditLog'; Case = 'a truncated store (half its size)'; Store = 'Truncated'; Run = { param($s) Get-ApiKeyAuditLog -StorePath $s }; ErrorId = 'StoreNotRecognized'; Category = 'InvalidData'; Terminating = $true }
    @{ Cmdlet = 'New-ApiKey'; Case = 'a store of a newer schema version'; Store = 'NewerSchema'; Run = { param($s) New-ApiKey -StorePath $s -Name 'x' -Allowlist @{ method = 'GET'; resource = '/x' } }; ErrorId = 'StoreSchemaTooNew'; Category = 'InvalidData'; Terminating = $true }
    @{ Cmdlet = 'Test-ApiKey'; Case = 'a store of a newer schema version'; Store = 'NewerSchema'; Run = { param($s, $seed) Test-ApiKey -StorePath $s -Key $seed.One.Key }; ErrorId = 'StoreSchemaTooNew'; Category = 'InvalidData'; Terminating = $true }
    @{ Cmdlet = 'Revoke-ApiKey'; Case = 'a store of a newer schema version'; Store = 'NewerSchema'; Run = { param($s, $seed) Revoke-ApiKey -StorePath $s -Id $seed.One.Id }; ErrorId = 'StoreSchemaTooNew'; Category = 'InvalidData'; Terminating = $true }
    @{ Cmdlet = 'Get-ApiKeyAuditLog'; Case = 'a store of a newer schema version'; Store = 'NewerSchema'; Run = { param($s) Get-ApiKeyAuditLog -StorePath $s }; ErrorId = 'StoreSchemaTooNew'; Category = 'InvalidData'; Terminating = $true }
    # README: StoreReadOnly and StoreBusy "stop the command", like the other store errors.
    @{ Cmdlet = 'New-ApiKey'; Case = 'a read-only store file'; Store = 'ReadOnlyFile'; Run = { param($s) New-ApiKey -StorePath $s -Name 'x' -Allowlist @{ method = 'GET'; resource = '/x' } }; ErrorId = 'StoreReadOnly'; Category = 'PermissionDenied'; Terminating = $true }
    @{ Cmdlet = 'Set-ApiKey'; Case = 'a read-only store file'; Store = 'ReadOnlyFile'; Run = { param($s, $seed) Set-ApiKey -StorePath $s -Id $seed.One.Id -Reset }; ErrorId = 'StoreReadOnly'; Category = 'PermissionDenied'; Terminating = $true }
    @{ Cmdlet = 'Remove-ApiKey'; Case = 'a read-only store file'; Store = 'ReadOnlyFile'; Run = { param($s, $seed) Remove-ApiKey -StorePath $s -Id $seed.One.Id }; ErrorId = 'StoreReadOnly'; Category = 'PermissionDenied'; Terminating = $true }
    @{ Cmdlet = 'Revoke-ApiKey'; Case = 'a read-only store file'; Store = 'ReadOnlyFile'; Run = { param($s, $seed) Revoke-ApiKey -StorePath $s -Id $seed.One.Id }; ErrorId = 'StoreReadOnly'; Category = 'PermissionDenied'; Terminating = $true }
    # Test-ApiKey on a read-only store file is no error: every key is verified, with one warning (BadInput.Tests.ps1,
    # "what a read-only store still allows").
    # A store (in WAL mode) in a read-only folder cannot even be read: SQLite cannot create its -shm file there. The
    # module reports it as StoreUnavailable with SQLite's own words ("unable to open database file").
    @{ Cmdlet = 'Get-ApiKey'; Case = 'a store in a read-only folder'; Store = 'ReadOnlyFolder'; Run = { param($s) Get-ApiKey -StorePath $s }; ErrorId = 'StoreReadOnly'; Category = 'PermissionDenied'; Terminating = $true }
    @{ Cmdlet = 'New-ApiKey'; Case = 'a new store in a read-only folder'; Store = 'NewInReadOnlyFolder'; Run = { param($s) New-ApiKey -StorePath $s -Name 'x' -Allowlist @{ method = 'GET'; resource = '/x' } }; ErrorId = 'StoreReadOnly'; Category = 'PermissionDenied'; Terminating = $true }
    @{ Cmdlet = 'New-ApiKey'; Case = 'a store held by another writer longer than the busy timeout (30 s)'; Store = 'Busy'; Run = { param($s) New-ApiKey -StorePath $s -Name 'x' -Allowlist @{ method = 'GET'; resource = '/x' } }; ErrorId = 'StoreBusy'; Category = 'ResourceBusy'; Terminating = $true }
)
