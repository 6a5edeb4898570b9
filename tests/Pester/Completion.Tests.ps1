# Tab completion of -Name and -Id from the store, through PowerShell's own TabExpansion2.
BeforeAll {
    Import-Module $env:APIKEYMODULE_TEST_MODULE -Force
    function Complete([string] $line) {
        (TabExpansion2 -inputScript $line -cursorColumn $line.Length).CompletionMatches
    }
}

Describe 'Argument completion' {
    BeforeEach {
        $folder = Join-Path $TestDrive ([guid]::NewGuid())
        New-Item -ItemType Directory -Path $folder | Out-Null
        $store = Join-Path $folder 'keys.db'
        'alpha', 'alps', 'my key', "o'brien", 'beta' | New-ApiKey -StorePath $store -WarningAction Ignore | Out-Null
    }
    AfterEach {
        $PSDefaultParameterValues.Remove('*-ApiKey*:StorePath')
    }

    It 'completes -Name with the matching key names, the Id as tooltip' {
        $matches = Complete "Get-ApiKey -StorePath '$store' -Name al"
        $matches.CompletionText | Should -Be @('alpha', 'alps')
        $matches.ToolTip | Should -Be @('Id 1', 'Id 2')
    }

    It 'quotes names that need it' {
        (Complete "Get-ApiKey -StorePath '$store' my").CompletionText | Should -Be "'my key'"
        (Complete "Get-ApiKey -StorePath '$store' o").CompletionText | Should -Be "'o''brien'"
    }

    It 'completes -Id with every id, the name as tooltip, on <Command>' -ForEach @(
        @{ Command = 'Get-ApiKey' }, @{ Command = 'Set-ApiKey' }, @{ Command = 'Remove-ApiKey' },
        @{ Command = 'Revoke-ApiKey' }, @{ Command = 'Edit-ApiKey' }, @{ Command = 'Get-ApiKeyAuditLog' }
    ) {
        $matches = Complete "$Command -StorePath '$store' -Id "
        $matches.CompletionText | Should -Be @('1', '2', '3', '4', '5')
        $matches.ToolTip | Should -Be @('alpha', 'alps', 'my key', "o'brien", 'beta')
    }

    It 'honours a relative -StorePath from the current location' {
        Push-Location $folder
        try {
            (Complete 'Remove-ApiKey -StorePath ./keys.db -Id 5').ToolTip | Should -Be 'beta'
        }
        finally { Pop-Location }
    }

    It 'honours $PSDefaultParameterValues for -StorePath' {
        $PSDefaultParameterValues['*-ApiKey*:StorePath'] = $store
        (Complete 'Get-ApiKey -Name bet').CompletionText | Should -Be 'beta'
        (Complete 'Get-ApiKeyAuditLog -Id 4').ToolTip | Should -Be "o'brien"
    }

    It 'offers nothing, and creates nothing, for a store that does not exist' {
        $missing = Join-Path $folder 'missing.db'
        @(Complete "Get-ApiKey -StorePath '$missing' -Id " | Where-Object ResultType -eq 'ParameterValue').Count | Should -Be 0
        Test-Path $missing | Should -BeFalse
    }
}
