# The cmdlets working together in pipelines, as a user would chain them.
BeforeAll {
    Import-Module $env:APIKEYMODULE_TEST_MODULE -Force
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers/TestHelpers.psm1') -Force
    Initialize-Sqlite $TestDrive

    # Every stored row, column by column (blobs in hex), keyed by the row's first column (the Id): shows any change
    # of a row, including to what only the store sees (the hash of the key).
    function Get-StoreRows([string] $Path) {
        $rows = @{}
        $stored = Invoke-StoreRows $Path 'SELECT * FROM api_keys'
        foreach ($row in $stored) {
            $values = foreach ($value in $row.Values) {
                if ($value -is [byte[]]) { [Convert]::ToHexString($value) } else { "$value" }
            }
            $rows[[int]$row['id']] = $values -join '|'
        }
        $rows
    }
}

Describe 'Pipelines' {
    BeforeEach {
        $store = New-TestStorePath $TestDrive
    }

    Context 'Import-Csv keys.csv | New-ApiKey' {
        BeforeEach {
            $csv = Join-Path $TestDrive "keys-$([guid]::NewGuid()).csv"
            Set-Content -LiteralPath $csv -Value @'
Name,Allowlist
monitoring,"[{""method"":""CALL"",""resource"":""system.info""}]"
backup,"- method: GET
  resource: /pool
- method: post
  resource: /pool/*"
certs,"[{""method"":""SUBSCRIBE"",""resource"":""certificate.query""},{""method"":""GET"",""resource"":""/certificate""}]"
'@
        }

        It 'creates one key per row, each with the row''s allowlist' {
            $issued = Import-Csv -LiteralPath $csv | New-ApiKey -StorePath $store
            @($issued).Count | Should -Be 3
            ($issued.Name) -join ',' | Should -BeExactly 'monitoring,backup,certs'
            foreach ($key in $issued) {
                $key.GetType().FullName | Should -Be 'ApiKeyModule.IssuedApiKey'
                $key.Key | Should -MatchExactly "^$($key.Id)-[A-Za-z0-9]{64}$"
            }
            Format-Allowlist (Get-ApiKey -StorePath $store -Name 'monitoring') | Should -BeExactly 'CALL system.info'
            Format-Allowlist (Get-ApiKey -StorePath $store -Name 'backup') | Should -BeExactly 'GET /pool; POST /pool/*'
            Format-Allowlist (Get-ApiKey -StorePath $store -Name 'certs') | Should -BeExactly 'SUBSCRIBE certificate.query; GET /certificate'
        }

        It 'reports a bad row and still creates the rows around it' {
            Add-Content -LiteralPath $csv -Value 'bad-row,"[{""method"":""FETCH"",""resource"":""x""}]"', 'last,"[{""method"":""GET"",""resource"":""/last""}]"'
            $err = $null
            $issued = Import-Csv -LiteralPath $csv | New-ApiKey -StorePath $store -ErrorVariable err -ErrorAction SilentlyContinue
            ($issued.Name) -join ',' | Should -BeExactly 'monitoring,backup,certs,last'
            @($err).Count | Should -Be 1
            $err[0].FullyQualifiedErrorId | Should -BeLike 'InvalidAllowlistEntry,*'
            $err[0].Exception.Message | Should -Match 'FETCH'
            (Get-ApiKey -StorePath $store).Name -join ',' | Should -BeExactly 'monitoring,backup,certs,last'
        }
    }

    Context 'Get-ApiKey | Where-Object | Set-ApiKey -Reset' {
        BeforeEach {
            $info1 = New-ApiKey -StorePath $store -Name 'info-1' -Allowlist @{ method = 'CALL'; resource = 'system.info' }, @{ method = 'GET'; resource = '/pool' }
            $pool = New-ApiKey -StorePath $store -Name 'pool' -Allowlist @{ method = 'GET'; resource = '/pool' }
            $info2 = New-ApiKey -StorePath $store -Name 'info-2' -Allowlist @{ method = 'CALL'; resource = 'system.info' }
            $none = New-ApiKey -StorePath $store -Name 'none' -WarningAction SilentlyContinue
        }

        It 'resets only the matching keys and writes their new keys with the right Ids' {
            $rowsBefore = Get-StoreRows $store
            $snapshotBefore = Get-StoreSnapshot $store

            $reset = Get-ApiKey -StorePath $store | Where-Object { $_.Allowlist.Resource -contains 'system.info' } | Set-ApiKey -StorePath $store -Reset

            @($reset).Count | Should -Be 2
            ($reset.Id) -join ',' | Should -Be "$($info1.Id),$($info2.Id)"
            ($reset.Name) -join ',' | Should -BeExactly 'info-1,info-2'
            foreach ($pair in @(@($reset[0], $info1), @($reset[1], $info2))) {
                $new, $old = $pair
                $new.GetType().FullName | Should -Be 'ApiKeyModule.IssuedApiKey'
                $new.Key | Should -MatchExactly "^$($old.Id)-[A-Za-z0-9]{64}$"
                $new.Key | Should -Not -BeExactly $old.Key
            }
            # Names, dates and allowlists are as before for every key.
            Get-StoreSnapshot $store | Should -BeExactly $snapshotBefore
            # Only the rows of the matching keys changed (their stored hash).
            $rowsAfter = Get-StoreRows $store
            $rowsAfter[$pool.Id] | Should -BeExactly $rowsBefore[$pool.Id]
            $rowsAfter[$none.Id] | Should -BeExactly $rowsBefore[$none.Id]
            $rowsAfter[$info1.Id] | Should -Not -BeExactly $rowsBefore[$info1.Id]
            $rowsAfter[$info2.Id] | Should -Not -BeExactly $rowsBefore[$info2.Id]
        }

        It 'changes nothing with -WhatIf' {
            $rowsBefore = Get-StoreRows $store
            $reset = Get-ApiKey -StorePath $store | Where-Object { $_.Allowlist.Resource -contains 'system.info' } | Set-ApiKey -StorePath $store -Reset -WhatIf
            $reset | Should -BeNullOrEmpty
            $rowsAfter = Get-StoreRows $store
            foreach ($id in $rowsBefore.Keys) { $rowsAfter[$id] | Should -BeExactly $rowsBefore[$id] }
        }
    }

    Context 'Get-ApiKey old* | Remove-ApiKey' {
        It 'removes exactly the keys the wildcard matches' {
            foreach ($name in 'old-a', 'current', 'OLD-b', 'older', 'not-old') {
                $null = New-ApiKey -StorePath $store -Name $name -Allowlist @{ method = 'GET'; resource = '/x' }
            }
            Get-ApiKey -StorePath $store -Name 'old*' | Remove-ApiKey -StorePath $store
            (Get-ApiKey -StorePath $store).Name -join ',' | Should -BeExactly 'current,not-old'
        }
    }

    Context 'keys written by New-ApiKey and Set-ApiKey' {
        It 'can be piped on to Set-ApiKey and Remove-ApiKey' {
            $renamed = New-ApiKey -StorePath $store -Name 'chain' -Allowlist @{ method = 'GET'; resource = '/x' } |
                Set-ApiKey -StorePath $store -Name 'chain-renamed' -PassThru
            $renamed.Name | Should -BeExactly 'chain-renamed'
            $renamed | Set-ApiKey -StorePath $store -Reset | Remove-ApiKey -StorePath $store
            Get-ApiKey -StorePath $store | Should -BeNullOrEmpty
        }

        It 'copies an allowlist from one key to others' {
            $template = New-ApiKey -StorePath $store -Name 'template' -Allowlist @{ method = 'CALL'; resource = 'system.info' }, @{ method = 'SUBSCRIBE'; resource = 'alert.list' }
            $null = 'copy-1', 'copy-2' | New-ApiKey -StorePath $store -WarningAction SilentlyContinue
            Get-ApiKey -StorePath $store -Name 'copy-*' | Set-ApiKey -StorePath $store -Allowlist $template.Allowlist
            foreach ($key in Get-ApiKey -StorePath $store -Name 'copy-*') {
                Format-Allowlist $key | Should -BeExactly 'CALL system.info; SUBSCRIBE alert.list'
            }
        }
    }
}
