# Every form -Allowlist accepts gives the same stored allowlist, on New-ApiKey and Set-ApiKey alike,
# and every kind of bad allowlist is refused with its ErrorId and category, leaving the store unchanged.
BeforeAll {
    Import-Module $env:APIKEYMODULE_TEST_MODULE -Force
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers/TestHelpers.psm1') -Force
}

BeforeDiscovery {
    # Each Build returns the value given to -Allowlist; it gets a folder for files and the store (for another key).
    # All of them mean: CALL system.info, then GET /pool.
    $forms = @(
        @{ Form = 'hashtables with lower-case keys'; Build = { @{ method = 'CALL'; resource = 'system.info' }, @{ method = 'GET'; resource = '/pool' } } }
        @{ Form = 'hashtables with keys in any case'; Build = { @{ Method = 'CALL'; RESOURCE = 'system.info' }, @{ mEtHoD = 'GET'; Resource = '/pool' } } }
        @{ Form = 'ordered dictionaries'; Build = { [ordered]@{ resource = 'system.info'; method = 'CALL' }, [ordered]@{ method = 'GET'; resource = '/pool' } } }
        @{ Form = 'hashtables with methods in lower and mixed case'; Build = { @{ method = 'call'; resource = 'system.info' }, @{ method = 'Get'; resource = '/pool' } } }
        @{ Form = 'hashtables with repeated entries'; Build = {
                @{ method = 'CALL'; resource = 'system.info' }, @{ method = 'call'; resource = 'system.info' },
                @{ method = 'GET'; resource = '/pool' }, @{ method = 'CALL'; resource = 'system.info' }, @{ method = 'GET'; resource = '/pool' } } }
        @{ Form = '[pscustomobject]s'; Build = { [pscustomobject]@{ Method = 'CALL'; Resource = 'system.info' }, [pscustomobject]@{ Method = 'GET'; Resource = '/pool' } } }
        @{ Form = 'Import-Csv of a method,resource file'; Build = {
                param($dir)
                $csv = Join-Path $dir "$([guid]::NewGuid()).csv"
                Set-Content -LiteralPath $csv -Value 'method,resource', 'CALL,system.info', 'GET,/pool'
                Import-Csv -LiteralPath $csv } }
        @{ Form = 'ConvertFrom-Json objects'; Build = { '[{"method":"CALL","resource":"system.info"},{"method":"GET","resource":"/pool"}]' | ConvertFrom-Json } }
        @{ Form = 'another key''s .Allowlist'; Build = {
                param($dir, $store)
                $source = New-ApiKey -StorePath $store -Name "source-$([guid]::NewGuid())" -Allowlist @{ method = 'CALL'; resource = 'system.info' }, @{ method = 'GET'; resource = '/pool' }
                (Get-ApiKey -StorePath $store -Id $source.Id).Allowlist } }
        @{ Form = 'a saved key''s .Allowlist (ConvertTo-Json | ConvertFrom-Json)'; Build = {
                param($dir, $store)
                $source = New-ApiKey -StorePath $store -Name "saved-$([guid]::NewGuid())" -Allowlist @{ method = 'CALL'; resource = 'system.info' }, @{ method = 'GET'; resource = '/pool' }
                $saved = Get-ApiKey -StorePath $store -Id $source.Id | ConvertTo-Json -Depth 5
                ($saved | ConvertFrom-Json).Allowlist } }
        @{ Form = 'YAML text'; Build = { "- method: CALL`n  resource: system.info`n- method: GET`n  resource: /pool" } }
        @{ Form = 'YAML text with lower-case methods'; Build = { "- method: call`n  resource: system.info`n- method: get`n  resource: /pool" } }
        @{ Form = 'YAML text with a document marker, comments, quotes and CRLF line ends'; Build = {
                "---`r`n# monitoring`r`n- method: 'CALL'   # read only`r`n  resource: `"system.info`"`r`n- {method: GET, resource: /pool}`r`n" } }
        @{ Form = 'YAML with an ordinary anchor and alias'; Build = { "- &info {method: CALL, resource: system.info}`n- *info`n- method: GET`n  resource: /pool" } }
        @{ Form = 'YAML flow style'; Build = { '[{method: CALL, resource: system.info}, {method: GET, resource: /pool}]' } }
        @{ Form = 'YAML read from a file with Get-Content -Raw'; Build = {
                param($dir)
                $file = Join-Path $dir "$([guid]::NewGuid()).yaml"
                Set-Content -LiteralPath $file -Value "- method: CALL`n  resource: system.info`n- method: GET`n  resource: /pool`n"
                Get-Content -LiteralPath $file -Raw } }
        @{ Form = 'JSON text as the TrueNAS CLI takes it'; Build = { '[{"method":"CALL","resource":"system.info"},{"method":"GET","resource":"/pool"}]' } }
        @{ Form = 'JSON text from ConvertTo-Json'; Build = {
                ConvertTo-Json -InputObject @([ordered]@{ method = 'CALL'; resource = 'system.info' }, [ordered]@{ method = 'GET'; resource = '/pool' }) } }
    )

    # The bad entry is always the second one, so that the message must name it.
    $badAllowlists = @(
        @{ Case = 'an entry without resource'; Value = @(@{ method = 'CALL'; resource = 'system.info' }, @{ method = 'GET' }); ErrorId = 'InvalidAllowlistEntry'; Category = 'InvalidArgument'; Message = 'entry 2' }
        @{ Case = 'an entry without method'; Value = @(@{ method = 'CALL'; resource = 'system.info' }, @{ resource = '/pool' }); ErrorId = 'InvalidAllowlistEntry'; Category = 'InvalidArgument'; Message = 'entry 2' }
        @{ Case = 'an entry with an unknown field'; Value = @(@{ method = 'CALL'; resource = 'system.info' }, @{ method = 'GET'; resource = '/pool'; color = 'red' }); ErrorId = 'InvalidAllowlistEntry'; Category = 'InvalidArgument'; Message = 'entry 2' }
        @{ Case = 'an entry with an unknown method'; Value = @(@{ method = 'CALL'; resource = 'system.info' }, @{ method = 'PATCH'; resource = '/pool' }); ErrorId = 'InvalidAllowlistEntry'; Category = 'InvalidArgument'; Message = 'entry 2' }
        @{ Case = 'an entry with an empty resource'; Value = @(@{ method = 'CALL'; resource = 'system.info' }, @{ method = 'GET'; resource = '' }); ErrorId = 'InvalidAllowlistEntry'; Category = 'InvalidArgument'; Message = 'entry 2' }
        @{ Case = 'an entry with a null resource'; Value = @(@{ method = 'CALL'; resource = 'system.info' }, @{ method = 'GET'; resource = $null }); ErrorId = 'InvalidAllowlistEntry'; Category = 'InvalidArgument'; Message = 'entry 2' }
        @{ Case = 'an object without resource'; Value = @([pscustomobject]@{ Method = 'CALL'; Resource = 'system.info' }, [pscustomobject]@{ Method = 'GET' }); ErrorId = 'InvalidAllowlistEntry'; Category = 'InvalidArgument'; Message = 'entry 2' }
        @{ Case = 'a null entry'; Value = @(@{ method = 'CALL'; resource = 'system.info' }, $null); ErrorId = 'InvalidAllowlistEntry'; Category = 'InvalidArgument'; Message = 'entry 2' }
        @{ Case = 'a number as entry'; Value = @(@{ method = 'CALL'; resource = 'system.info' }, 42); ErrorId = 'InvalidAllowlistEntry'; Category = 'InvalidArgument'; Message = 'entry 2' }
        @{ Case = 'a YAML entry without resource'; Value = "- method: CALL`n  resource: system.info`n- method: GET"; ErrorId = 'InvalidAllowlistEntry'; Category = 'InvalidArgument'; Message = 'entry 2' }
        @{ Case = 'a YAML entry with an unknown method'; Value = "- method: CALL`n  resource: system.info`n- method: PATCH`n  resource: /pool"; ErrorId = 'InvalidAllowlistEntry'; Category = 'InvalidArgument'; Message = 'entry 2' }
        @{ Case = 'a JSON entry with an unknown field'; Value = '[{"method":"CALL","resource":"system.info"},{"method":"GET","resource":"/pool","extra":1}]'; ErrorId = 'InvalidAllowlistEntry'; Category = 'InvalidArgument'; Message = 'entry 2' }

        @{ Case = 'malformed YAML (unclosed bracket)'; Value = "- method: CALL`n  resource: [system.info"; ErrorId = 'InvalidAllowlistDocument'; Category = 'InvalidArgument' }
        @{ Case = 'malformed YAML (unclosed quote)'; Value = "- method: `"CALL`n  resource: system.info"; ErrorId = 'InvalidAllowlistDocument'; Category = 'InvalidArgument' }
        @{ Case = 'malformed JSON (cut short)'; Value = '[{"method":"CALL","resource":"system.info"}'; ErrorId = 'InvalidAllowlistDocument'; Category = 'InvalidArgument' }
        @{ Case = 'malformed JSON (missing comma)'; Value = '[{"method":"CALL" "resource":"system.info"}]'; ErrorId = 'InvalidAllowlistDocument'; Category = 'InvalidArgument' }
        @{ Case = 'a scalar as document (text)'; Value = 'system.info'; ErrorId = 'InvalidAllowlistDocument'; Category = 'InvalidArgument' }
        @{ Case = 'a scalar as document (number)'; Value = '42'; ErrorId = 'InvalidAllowlistDocument'; Category = 'InvalidArgument' }
        @{ Case = 'a YAML mapping where a list belongs'; Value = "method: CALL`nresource: system.info"; ErrorId = 'InvalidAllowlistDocument'; Category = 'InvalidArgument' }
        @{ Case = 'a JSON object where a list belongs'; Value = '{"method":"CALL","resource":"system.info"}'; ErrorId = 'InvalidAllowlistDocument'; Category = 'InvalidArgument' }

        @{ Case = 'the tag !!python/object:os.system'; Value = "- !!python/object:os.system`n  method: CALL`n  resource: system.info"; ErrorId = 'UnsafeAllowlistDocument'; Category = 'SecurityError' }
        @{ Case = 'the tag !!python/object/apply:os.system'; Value = "- method: !!python/object/apply:os.system ['id']`n  resource: system.info"; ErrorId = 'UnsafeAllowlistDocument'; Category = 'SecurityError' }
        @{ Case = 'the tag !ruby/object'; Value = "- !ruby/object:Gem::Installer`n  method: CALL`n  resource: system.info"; ErrorId = 'UnsafeAllowlistDocument'; Category = 'SecurityError' }
        @{ Case = 'the tag !!javax.script.ScriptEngineManager'; Value = '- !!javax.script.ScriptEngineManager [!!java.net.URLClassLoader [[!!java.net.URL ["http://example.invalid/"]]]]'; ErrorId = 'UnsafeAllowlistDocument'; Category = 'SecurityError' }
    )

    # "Billion laughs": ten levels of ten aliases each stand for 10^10 values.
    $bomb = @('- &l0 [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]')
    foreach ($level in 1..9) { $bomb += "- &l$level [" + ((@("*l$($level - 1)") * 10) -join ', ') + ']' }
    $badAllowlists += @{ Case = 'an alias expansion bomb'; Value = $bomb -join "`n"; ErrorId = 'AllowlistDocumentTooComplex'; Category = 'InvalidData' }

    # 1 MiB + 1 characters: a valid list after a long comment.
    $valid = "- method: CALL`n  resource: system.info`n"
    $badAllowlists += @{ Case = 'a document of 1 MiB + 1 characters'; Value = '#' + ('x' * (1MB - $valid.Length - 1)) + "`n" + $valid; ErrorId = 'AllowlistDocumentTooLarge'; Category = 'InvalidArgument' }
}

Describe 'Allowlist forms' {
    BeforeEach {
        $store = New-TestStorePath $TestDrive
    }

    Context 'New-ApiKey' {
        It 'stores the same allowlist from <Form>' -ForEach $forms {
            $value = & $Build $TestDrive $store
            $key = New-ApiKey -StorePath $store -Name 'form' -Allowlist $value
            Format-Allowlist $key | Should -BeExactly 'CALL system.info; GET /pool'
            Format-Allowlist (Get-ApiKey -StorePath $store -Name 'form') | Should -BeExactly 'CALL system.info; GET /pool'
        }
    }

    Context 'Set-ApiKey' {
        It 'stores the same allowlist from <Form>' -ForEach $forms {
            $target = New-ApiKey -StorePath $store -Name 'form' -Allowlist @{ method = 'DELETE'; resource = '/before' }
            $value = & $Build $TestDrive $store
            $updated = Set-ApiKey -StorePath $store -Id $target.Id -Allowlist $value -PassThru
            Format-Allowlist $updated | Should -BeExactly 'CALL system.info; GET /pool'
            Format-Allowlist (Get-ApiKey -StorePath $store -Id $target.Id) | Should -BeExactly 'CALL system.info; GET /pool'
        }
    }

    Context 'values' {
        It 'accepts the method <Method> and stores it as <Stored>' -ForEach @(
            @{ Method = 'get'; Stored = 'GET' }, @{ Method = 'post'; Stored = 'POST' }, @{ Method = 'put'; Stored = 'PUT' }
            @{ Method = 'delete'; Stored = 'DELETE' }, @{ Method = 'call'; Stored = 'CALL' }, @{ Method = 'subscribe'; Stored = 'SUBSCRIBE' }
            @{ Method = '*'; Stored = '*' }, @{ Method = 'SubScribe'; Stored = 'SUBSCRIBE' }
        ) {
            $key = New-ApiKey -StorePath $store -Name 'method' -Allowlist @{ method = $Method; resource = 'x' }
            Format-Allowlist (Get-ApiKey -StorePath $store -Id $key.Id) | Should -BeExactly "$Stored x"
        }

        It 'accepts resources with wildcards: <Resource>' -ForEach @(
            @{ Resource = '*' }, @{ Resource = '/pool/*' }, @{ Resource = 'pool.*' }, @{ Resource = 'pool.dataset.query' }
        ) {
            $key = New-ApiKey -StorePath $store -Name 'wildcard' -Allowlist @{ method = 'GET'; resource = $Resource }
            Format-Allowlist (Get-ApiKey -StorePath $store -Id $key.Id) | Should -BeExactly "GET $Resource"
        }

        It 'keeps the order of the entries as given' {
            $key = New-ApiKey -StorePath $store -Name 'order' -Allowlist @{ method = 'PUT'; resource = 'b' }, @{ method = 'GET'; resource = 'a' }, @{ method = 'CALL'; resource = 'c' }
            Format-Allowlist (Get-ApiKey -StorePath $store -Id $key.Id) | Should -BeExactly 'PUT b; GET a; CALL c'
        }

        It 'accepts a document of exactly 1 MiB' {
            $valid = "- method: CALL`n  resource: system.info`n"
            $document = '#' + ('x' * (1MB - $valid.Length - 2)) + "`n" + $valid
            $document.Length | Should -Be 1MB
            $key = New-ApiKey -StorePath $store -Name 'one-mib' -Allowlist $document
            Format-Allowlist (Get-ApiKey -StorePath $store -Id $key.Id) | Should -BeExactly 'CALL system.info'
        }

        It 'refuses a resource with a line break (InvalidAllowlistEntry) rather than storing it as two entries' {
            $err = $null
            $key = New-ApiKey -StorePath $store -Name 'injection' -Allowlist @{ method = 'GET'; resource = "/a`nDELETE *" } -ErrorVariable err -ErrorAction SilentlyContinue
            $key | Should -BeNullOrEmpty
            $err[0].FullyQualifiedErrorId | Should -BeLike 'InvalidAllowlistEntry,*'
            $err[0].CategoryInfo.Category | Should -Be 'InvalidArgument'
            Get-ApiKey -StorePath $store -Name 'injection' -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
        }
    }
}

Describe 'Allowlist errors' {
    BeforeEach {
        $store = New-TestStorePath $TestDrive
        $seed = Add-SeedKeys $store
        $before = Get-StoreSnapshot $store
    }

    Context 'New-ApiKey' {
        It 'writes <ErrorId> (<Category>) for <Case>, creates nothing, and goes on with the next item' -ForEach $badAllowlists {
            $err = $null
            $items = [pscustomobject]@{ Name = 'bad'; Allowlist = $Value }, [pscustomobject]@{ Name = 'next'; Allowlist = '[{"method":"GET","resource":"/next"}]' }
            $output = $items | New-ApiKey -StorePath $store -ErrorVariable err -ErrorAction SilentlyContinue
            @($err).Count | Should -Be 1
            $err[0].FullyQualifiedErrorId | Should -BeLike "$ErrorId,*"
            $err[0].CategoryInfo.Category | Should -Be $Category
            if ($Message) { $err[0].Exception.Message | Should -Match $Message }
            @($output).Count | Should -Be 1
            $output.Name | Should -BeExactly 'next'
            Remove-ApiKey -StorePath $store -Id $output.Id
            Get-StoreSnapshot $store | Should -BeExactly $before
        }

        It 'writes <ErrorId> (<Category>) for <Case> given to -Allowlist directly' -ForEach $badAllowlists {
            $err = $null
            $output = New-ApiKey -StorePath $store -Name 'bad' -Allowlist $Value -ErrorVariable err -ErrorAction SilentlyContinue
            $output | Should -BeNullOrEmpty
            @($err).Count | Should -Be 1
            $err[0].FullyQualifiedErrorId | Should -BeLike "$ErrorId,*"
            $err[0].CategoryInfo.Category | Should -Be $Category
            Get-StoreSnapshot $store | Should -BeExactly $before
        }
    }

    Context 'Set-ApiKey' {
        It 'reports <ErrorId> (<Category>) for <Case> and changes nothing' -ForEach $badAllowlists {
            $records = Get-ErrorRecord { Set-ApiKey -StorePath $store -Id $seed[0].Id -Allowlist $Value -PassThru }
            @($records).Count | Should -Be 1
            $records[0].FullyQualifiedErrorId | Should -BeLike "$ErrorId,*"
            $records[0].CategoryInfo.Category | Should -Be $Category
            if ($Message) { $records[0].Exception.Message | Should -Match $Message }
            Get-StoreSnapshot $store | Should -BeExactly $before
        }
    }

    It 'refuses a deeply nested document with an error instead of failing the session' {
        $deep = ('[' * 100000) + (']' * 100000)
        $err = $null
        $output = New-ApiKey -StorePath $store -Name 'deep' -Allowlist $deep -ErrorVariable err -ErrorAction SilentlyContinue
        $output | Should -BeNullOrEmpty
        $err[0].FullyQualifiedErrorId | Should -BeIn @('AllowlistDocumentTooComplex,ApiKeyModule.Commands.NewApiKeyCommand', 'InvalidAllowlistDocument,ApiKeyModule.Commands.NewApiKeyCommand')
        Get-StoreSnapshot $store | Should -BeExactly $before
    }
}
