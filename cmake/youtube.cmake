# youtube: the publisher against the python3 double of OAuth + the resumable upload protocol.
yaa_double_test(youtube test_publisher)
