# Tab completion of -Name and -Id from the store, through PowerShell's own TabExpansion2.
BeforeAll {
    Import-Module $env:APIKEYMODULE_TEST_MODULE -Force
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers/TestHelpers.psm1') -Force
    Initialize-Sqlite $TestDrive
    function Complete([string] $line) {
        (TabExpansion2 -inputScript $line -cursorColumn $line.Length).CompletionMatches
    }
}

Describe 'Argument completion' {
    BeforeEach {
        $store = New-TestStorePath $TestDrive
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

    It 'honours a relative -StorePath from the current location' -Tag File {
        $folder = Join-Path $TestDrive ([guid]::NewGuid())
        $null = New-Item -ItemType Directory -Path $folder
        'alpha', 'beta' | New-ApiKey -StorePath (Join-Path $folder 'keys.db') | Out-Null
        Push-Location $folder
        try {
            (Complete 'Remove-ApiKey -StorePath ./keys.db -Id 2').ToolTip | Should -Be 'beta'
        }
        finally { Pop-Location }
    }

    It 'honours $PSDefaultParameterValues for -StorePath' {
        $PSDefaultParameterValues['*-ApiKey*:StorePath'] = $store
        (Complete 'Get-ApiKey -Name bet').CompletionText | Should -Be 'beta'
        (Complete 'Get-ApiKeyAuditLog -Id 4').ToolTip | Should -Be "o'brien"
    }

    It 'offers nothing, and creates nothing, for a store that does not exist' {
        $missing = New-TestStorePath $TestDrive
        @(Complete "Get-ApiKey -StorePath '$missing' -Id " | Where-Object ResultType -eq 'ParameterValue').Count | Should -Be 0
        Test-StoreExists $missing | Should -BeFalse
    }
}

Describe 'Completion from a PostgreSQL server that does not answer' -Tag Server {
    It 'offers nothing, after waiting about a second rather than the driver''s 15 s' {
        # A port that accepts connections (the kernel completes them) but never answers.
        $silent = [System.Net.Sockets.TcpListener]::new([System.Net.IPAddress]::Loopback, 0)
        $silent.Start()
        try {
            $line = "Get-ApiKey -ConnectionString 'Host=127.0.0.1;Port=$($silent.LocalEndpoint.Port);Database=keys;Username=u;Password=p' -Id "
            $watch = [Diagnostics.Stopwatch]::StartNew()
            @(Complete $line | Where-Object ResultType -eq 'ParameterValue').Count | Should -Be 0
            $watch.Stop()
        }
        finally { $silent.Stop() }
        Write-Host ("Completion against a silent server gave up after {0:N1} s" -f $watch.Elapsed.TotalSeconds)
        # Far from the 15 s that a connection would otherwise wait, whatever the machine's load.
        $watch.Elapsed.TotalSeconds | Should -BeLessThan 10
    }
}

Describe 'Completion is safe for any name' {
    BeforeAll {
        $store = New-TestStorePath $TestDrive
        $names = @(
            "it's", "x‘curly’", "x’;Write-Host INJECTED;’", "x‛rev‚", 'x"double"', 'x“smart”', 'x$HOME', 'x$(Get-Date)', 'x`t',
            'x;Write-Host INJECTED', 'x|y', 'x&y', 'x{y}', 'x(y)', 'x@y', 'x#y', 'x<y>', 'x,y', 'x y', '-x', '1e3', 'xbr[ack]et', 'x*', 'x?',
            "x'`$(Write-Host INJECTED)'"
        )
        $names | New-ApiKey -StorePath $store -WarningAction Ignore | Out-Null
        # A name holding a line break cannot be made with the module; a store written by another tool may hold one.
        Invoke-StoreNonQuery $store "UPDATE api_keys SET name = @name, name_folded = @folded WHERE name = 'x y'" @{
            name = "x`nWrite-Host INJECTED"; folded = "X`nWRITE-HOST INJECTED"
        }
        $names = @($names | Where-Object { $_ -ne 'x y' }) + "x`nWrite-Host INJECTED"
        function Complete([string] $line) {
            (TabExpansion2 -inputScript $line -cursorColumn $line.Length).CompletionMatches
        }
    }

    It 'completes <Parameter> for every name to one string argument that finds that key and runs nothing' -ForEach @(
        @{ Parameter = 'Name'; Expected = { param($n) [WildcardPattern]::Escape($n) } }
        @{ Parameter = 'LiteralName'; Expected = { param($n) $n } }
    ) {
        foreach ($name in $names) {
            $prefix = "Get-ApiKey -StorePath '$store' -$Parameter "
            $completion = @(Complete $prefix | Where-Object ListItemText -ceq $name)
            $completion.Count | Should -Be 1 -Because "'$name' is completed once"
            $line = $prefix + $completion[0].CompletionText
            $tokens = $errors = $null
            $ast = [System.Management.Automation.Language.Parser]::ParseInput($line, [ref] $tokens, [ref] $errors)
            $errors.Count | Should -Be 0 -Because "the line for '$name' parses"
            $commands = @($ast.FindAll({ $args[0] -is [System.Management.Automation.Language.CommandAst] }, $true))
            $commands.Count | Should -Be 1 -Because "the line for '$name' is one command"
            $argument = $commands[0].CommandElements[-1]
            $argument | Should -BeOfType [System.Management.Automation.Language.StringConstantExpressionAst]
            $argument.Value | Should -BeExactly (& $Expected $name)
            $found = @(Invoke-Expression $line 6>&1)
            $found.Count | Should -Be 1 -Because "the line for '$name' finds one key and writes nothing else"
            $found[0].Name | Should -BeExactly $name
        }
    }
}
