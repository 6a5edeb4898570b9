# Each ErrorId, request method and category is written once: the README's error table, the code's catalogs and the
# cmdlets' parameter sets agree; the engine's messages speak to any caller and the cmdlets add PowerShell's advice.
BeforeAll {
    Import-Module $env:APIKEYMODULE_TEST_MODULE -Force
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers/TestHelpers.psm1') -Force

    $root = Join-Path $PSScriptRoot '../..'
    $cmdlets = (Get-Command Test-ApiKey).ImplementingType.Assembly
    $engine = [ApiKeyModule.ApiKeyStore].Assembly
    $constants = [System.Reflection.BindingFlags]'Public, NonPublic, Static'

    # The string constants of a class: name and value.
    function Get-Constant([type] $Type) {
        $Type.GetFields($constants) | Where-Object { $_.IsLiteral -and $_.FieldType -eq [string] } |
            ForEach-Object { [pscustomobject]@{ Name = $_.Name; Value = $_.GetRawConstantValue() } }
    }

    # The C# source of a folder, with comments removed: what the code says, not what it says about itself.
    function Get-Code([string] $Folder) {
        Get-ChildItem (Join-Path $root $Folder) -Filter *.cs | ForEach-Object {
            $text = (Get-Content -LiteralPath $_.FullName -Raw) -replace '(?m)^\s*//.*$', ''
            [pscustomobject]@{ File = $_.Name; Text = $text }
        }
    }

    $engineIds = Get-Constant ([ApiKeyModule.ErrorIds])
    $cmdletIds = Get-Constant $cmdlets.GetType('ApiKeyModule.Commands.CmdletErrorIds', $true)
}

Describe 'The ErrorIds' -Tag Once {
    It 'are each written out once, as a constant named for its value' {
        foreach ($id in $engineIds + $cmdletIds) { $id.Value | Should -BeExactly $id.Name }
        $engineIds.Count | Should -BeGreaterThan 30
        $cmdletIds.Count | Should -BeGreaterThan 5
        ($engineIds.Value | Where-Object { $_ -in $cmdletIds.Value }) | Should -BeNullOrEmpty -Because 'an id belongs to the engine or to the cmdlets, not both'
    }

    It 'are the ids of the README''s error table, no more and no fewer' {
        $readme = Get-Content (Join-Path $root 'README.md') -Raw
        $section = ($readme -split '(?m)^## Errors\s*$', 2)[1] -split '(?m)^## ', 2 | Select-Object -First 1
        $documented = foreach ($row in $section -split "`n" | Where-Object { $_ -match '^\| `' }) {
            [regex]::Matches(($row -split '\|')[1], '`([A-Za-z]+)`') | ForEach-Object { $_.Groups[1].Value }
        }
        $documented | Should -Not -BeNullOrEmpty
        $inCode = @($engineIds.Value) + @($cmdletIds.Value)
        ($inCode | Where-Object { $_ -cnotin $documented } | Sort-Object) -join ', ' | Should -BeExactly '' -Because 'every id the code raises is in the README'
        ($documented | Where-Object { $_ -cnotin $inCode } | Sort-Object) -join ', ' | Should -BeExactly '' -Because 'every id the README lists is raised by the code'
    }

    It 'are never written as text where an error is made: each comes from a catalog' {
        $made = foreach ($file in (Get-Code 'src/ApiKeyModule.Engine') + (Get-Code 'src/ApiKeyModule')) {
            foreach ($match in [regex]::Matches($file.Text, 'new (ApiKeyException|ErrorRecord)\(([^,]*,)?\s*\$?"')) {
                if ($match.Groups[1].Value -eq 'ApiKeyException' -and $match.Groups[2].Success) { continue }
                "$($file.File): $($match.Value)"
            }
        }
        $made | Should -BeNullOrEmpty
    }

    It 'of a failure of the store itself are listed, not guessed from a prefix' {
        $store = @($engineIds.Value | Where-Object { [ApiKeyModule.ErrorIds]::IsStoreFailure($_) })
        ($store | Sort-Object) -join ',' | Should -BeExactly 'StoreBusy,StoreCorrupt,StoreError,StoreFull,StoreNotPrivate,StoreNotRecognized,StoreReadOnly,StoreSchemaTooNew,StoreUnavailable'
        [ApiKeyModule.ErrorIds]::IsStoreFailure('StoreSomethingNew') | Should -BeFalse
    }
}

Describe 'Request methods' -Tag Once {
    It 'Test-ApiKey -Method takes exactly the engine''s request methods' {
        $set = (Get-Command Test-ApiKey).Parameters['Method'].Attributes | Where-Object { $_ -is [System.Management.Automation.ValidateSetAttribute] }
        $set.ValidValues -join ',' | Should -BeExactly ([ApiKeyModule.AllowlistEntry]::RequestMethods -join ',')
    }

    It 'an allowlist entry takes the request methods and * for any' {
        [ApiKeyModule.AllowlistEntry]::Methods -join ',' | Should -BeExactly ((@([ApiKeyModule.AllowlistEntry]::RequestMethods) + '*') -join ',')
    }

    It 'are listed once in the code' {
        $lists = foreach ($file in (Get-Code 'src/ApiKeyModule.Engine') + (Get-Code 'src/ApiKeyModule')) {
            if ($file.Text -match '"GET",\s*"POST"') { $file.File }
        }
        ($lists | Sort-Object) -join ',' | Should -BeExactly 'AllowlistEntry.cs,TestApiKeyCommand.cs' -Because 'the engine holds the list and the cmdlet''s ValidateSet, checked above, repeats it as attributes must'
    }
}

Describe 'Error categories' -Tag Once {
    It 'each engine category is PowerShell''s category of the same name' {
        $from = $cmdlets.GetType('ApiKeyModule.Commands.ErrorCategories', $true).GetMethod('From')
        foreach ($category in [enum]::GetValues([ApiKeyModule.ApiKeyErrorCategory])) {
            $from.Invoke($null, @($category)).ToString() | Should -BeExactly $category.ToString()
        }
    }
}

Describe 'Messages' -Tag Once {
    It 'the engine''s speak to any caller: no PowerShell parameter, command or expression in them' {
        $powershell = '(?<![A-Za-z])-(Name|Allowlist|ExpiresAt|NeverExpires|Reset|StorePath|Credential|GracePeriod|Method|Resource|Yaml|Id|LiteralName|Before|Reason|PassThru)\b|\b(Get|Set|New|Test|Revoke|Remove|Edit|Copy|Clear)-ApiKey|Get-Date|\$env:'
        $found = foreach ($file in Get-Code 'src/ApiKeyModule.Engine') {
            foreach ($literal in [regex]::Matches($file.Text, '\$?@?"(?:[^"\\]|\\.|"")*"')) {
                if ($literal.Value -cmatch $powershell) { "$($file.File): $($literal.Value)" }
            }
        }
        $found | Should -BeNullOrEmpty
    }

    It 'every remedy the engine gives has PowerShell''s words in the cmdlets' {
        $remedies = Get-Constant $engine.GetType('ApiKeyModule.Remedies', $true)
        $advice = $cmdlets.GetType('ApiKeyModule.Commands.PowerShellAdvice', $true).GetField('ByRemedy', $constants).GetValue($null)
        $remedies | Where-Object { -not $advice.ContainsKey($_.Value) -and $_.Name -ne 'GraceForms' } | ForEach-Object Name | Should -BeNullOrEmpty
    }

    It 'an error record shows the fault with PowerShell''s advice, and holds the advice as its RecommendedAction' {
        $store = New-TestStorePath $TestDrive
        New-ApiKey -Name dated -ExpiresAt (Get-Date).AddDays(-1) -StorePath $store -ErrorVariable failed -ErrorAction SilentlyContinue
        $failed.Count | Should -Be 1
        $failed[0].FullyQualifiedErrorId | Should -BeLike 'ExpirationInPast,*'
        $failed[0].Exception.Message | Should -Match '^Expiration date is in the past \(.*\)\. Give a date in the future\.$'
        $failed[0].ErrorDetails.RecommendedAction | Should -BeExactly 'Give a date in the future, for example (Get-Date).AddDays(90).'
        $failed[0].ToString() | Should -Match '^Expiration date is in the past \(.*\)\. Give a date in the future, for example \(Get-Date\)\.AddDays\(90\)\.$'
    }

    It 'an error with no advice of PowerShell''s own keeps the engine''s remedy' {
        $store = New-TestStorePath $TestDrive
        New-ApiKey -Name 'bad' -Allowlist @{ method = 'FETCH'; resource = 'x' } -StorePath $store -ErrorVariable failed -ErrorAction SilentlyContinue
        $failed.Count | Should -Be 1
        $failed[0].FullyQualifiedErrorId | Should -BeLike 'InvalidAllowlistEntry,*'
        $failed[0].ToString() | Should -BeExactly $failed[0].Exception.Message
    }
}
