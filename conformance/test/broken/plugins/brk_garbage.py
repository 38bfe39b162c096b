from broken import main

main("brk_garbage", "garbage")
